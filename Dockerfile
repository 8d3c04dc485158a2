# podbot in a container: slim Python, a non-root user, the store on a volume, secrets only at run time.
#   docker build -t podbot .
#   docker run --env-file .env -v podbot-data:/data podbot
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from the exact versions in constraints.txt, so code changes reuse this layer.
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY data ./data
RUN pip install --constraint constraints.txt . \
    && useradd --create-home --uid 10001 podbot \
    && mkdir /data \
    && chown podbot:podbot /data

USER 10001:10001
ENV PODBOT_DB=/data/podbot.db
VOLUME ["/data"]

CMD ["podbot", "run"]

# podbot in a container: slim Python, a non-root user, the store on a volume, secrets only at run time.
#   docker build -t podbot .
#   docker run --env-file .env -v podbot-data:/data podbot
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first: the runtime dependencies pyproject.toml declares, at the exact versions in
# constraints.txt, so a change to the code reuses this layer.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > runtime.txt \
    && pip install --constraint constraints.txt --requirement runtime.txt

COPY README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
COPY data ./data
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 podbot \
    && mkdir /data \
    && chown podbot:podbot /data

USER 10001:10001
ENV PODBOT_DB=/data/podbot.db
VOLUME ["/data"]

# Healthy means serving, not merely running: `podbot health` reads the heartbeat the bot writes every 30 s
# beside its store (connected to Discord's gateway, store readable) and exits 1 with one sentence when it is
# missing, more than 90 s old or reports a problem. The start period covers logging in and a first start
# that fills the store; each check only reads a small file.
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 CMD ["podbot", "health"]

CMD ["podbot", "run"]

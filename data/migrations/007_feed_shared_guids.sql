-- What the last read of a feed found about GUIDs it gave to several items (kept apart, or merged), in one
-- sentence for /announce status; NULL when every item had a GUID of its own. Applied by
-- bot/store/migrations.py; an existing store gains the column empty and fills it at the next poll.
ALTER TABLE feeds ADD COLUMN shared_guids TEXT;

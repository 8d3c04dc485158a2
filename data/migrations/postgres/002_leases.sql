-- Several bot processes on one store (issue 12): a feed's poll and an announcement's send are claimed in
-- the database by the process that does them, until the claim's lease ends (bot/store/leases.py). A
-- process that dies mid-poll or mid-send loses its claims when their leases run out. SQLite: 011_leases.sql.
ALTER TABLE feeds ADD COLUMN lease_owner text;
ALTER TABLE feeds ADD COLUMN lease_until text;
ALTER TABLE announcements ADD COLUMN lease_owner text;
ALTER TABLE announcements ADD COLUMN lease_until text;

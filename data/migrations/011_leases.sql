-- Several bot processes on one store (issue 12): a feed's poll and an announcement's send are claimed in
-- the database by the process that does them, until the claim's lease ends. A process that dies mid-poll
-- or mid-send loses its claims when their leases run out, and another process takes the work over.
ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until TEXT;
ALTER TABLE announcements ADD COLUMN lease_owner TEXT;
ALTER TABLE announcements ADD COLUMN lease_until TEXT;

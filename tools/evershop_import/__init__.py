"""Move a shop off EverShop: its customers (ids, uuids, emails, names, statuses, groups,
timestamps, bcrypt hashes as they are), their addresses and the customer groups, from EverShop's
PostgreSQL database or its CSV export into this API's customers table. README, "Moving from
EverShop"."""

"""The records database: what officers keep by hand (the board's actions, the Shared Care Record
access register, and the tables of other packages), with people, roles and an append-only audit
trail. SQLite in the workspace by default; PostgreSQL for a shared server."""

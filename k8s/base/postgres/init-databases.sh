#!/bin/bash
# Runs once, on an empty data directory (docker-entrypoint-initdb.d): one database per service.
# Each service's Flyway migrations create the tables at its start.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE DATABASE trainyard_scheduler;
CREATE DATABASE trainyard_results;
SQL

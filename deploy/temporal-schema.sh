#!/bin/sh
# The temporal-schema job of docker-compose.yml (admin-tools image): creates Temporal's two PostgreSQL
# databases and brings each schema to the version this image ships, which is the server's. Safe on
# every start: an existing database is kept, and a schema already current gets no change.
# Connection settings come from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD.
set -eu

schema_root="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12"

migrate() {
  database=$1
  versioned="$schema_root/$2/versioned"
  [ -d "$versioned" ] || { echo "temporal-schema: no schema directory $versioned" >&2; exit 1; }
  echo "temporal-schema: $database"
  temporal-sql-tool --db "$database" create-database
  # Versioning tables only (version 0.0); a database already past it is left as it is.
  temporal-sql-tool --db "$database" setup-schema -v 0.0
  temporal-sql-tool --db "$database" update-schema -d "$versioned"
}

migrate temporal temporal
migrate temporal_visibility visibility
echo "temporal-schema: done"

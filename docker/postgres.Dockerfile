# PostgreSQL 17.6 with pgBackRest, for WAL archiving to the object store (docs/operations.md §6):
# archive_command in docker-compose.yml pushes every WAL segment to the rmbg-backups bucket, and the
# pgbackrest service takes the base backups a point-in-time restore starts from.
# pgBackRest comes from the PostgreSQL project's apt repository, which this image already uses for
# PostgreSQL itself; 2.58 or newer is needed because MinIO here speaks plain http (older releases
# talk to S3 over https only), so the build stops on an older one.
FROM postgres:17.6-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends pgbackrest \
    && rm -rf /var/lib/apt/lists/*
RUN set -- $(pgbackrest version | sed -n 's/^pgBackRest \([0-9]*\)\.\([0-9]*\).*/\1 \2/p') \
    && if [ "${1:-0}" -lt 2 ] || { [ "$1" -eq 2 ] && [ "${2:-0}" -lt 58 ]; }; then \
         echo "pgBackRest $(pgbackrest version) is too old: 2.58 or newer talks to an http:// S3 endpoint" >&2; \
         exit 1; \
       fi
# The configuration is mounted from docker/pgbackrest.conf; the S3 keys come from the environment
# (PGBACKREST_REPO1_S3_KEY, PGBACKREST_REPO1_S3_KEY_SECRET), never from a file in the image.
RUN mkdir -p /etc/pgbackrest /var/log/pgbackrest /tmp/pgbackrest \
    && chown postgres:postgres /var/log/pgbackrest /tmp/pgbackrest

#!/usr/bin/env bash
# A backup of AI Community: the PostgreSQL database (pg_dump's custom format, restorable with
# pg_restore and checked by deploy/restore_check.py) and, with media on this host's disk, the
# media folder. With media in a bucket, back the bucket up with the store's own tools
# (docs/operations.md). Run it as aicommunity with the production environment loaded, e.g.
# from cron, as a line of /etc/cron.d/aicommunity:
#
#   15 3 * * * aicommunity bash -c 'set -a; . /etc/aicommunity/aicommunity.env; set +a; /srv/aicommunity/deploy/backup.sh'
#
# BACKUP_DIR (default /var/backups/aicommunity, made by docs/deploy.md's step 2) keeps
# BACKUP_KEEP_DAYS (default 14) days.
set -euo pipefail
BACKUP_DIR=${BACKUP_DIR:-/var/backups/aicommunity}
KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"

# Consistent without stopping the site: pg_dump reads one snapshot.
pg_dump --format=custom --no-owner --file "$BACKUP_DIR/aicommunity-$stamp.dump.partial" "$DATABASE_URL"
mv "$BACKUP_DIR/aicommunity-$stamp.dump.partial" "$BACKUP_DIR/aicommunity-$stamp.dump"
echo "database: $BACKUP_DIR/aicommunity-$stamp.dump"

if [[ -z "${S3_BUCKET:-}" && -n "${MEDIA_ROOT:-}" && -d "$MEDIA_ROOT" ]]; then
  # Files are written once under new names and never changed: a mirror is enough (deleted
  # files stay in the backup until the next full copy).
  rsync -a "$MEDIA_ROOT/" "$BACKUP_DIR/media/"
  echo "media: $BACKUP_DIR/media/"
fi

find "$BACKUP_DIR" -maxdepth 1 -name 'aicommunity-*.dump' -mtime "+$KEEP_DAYS" -delete

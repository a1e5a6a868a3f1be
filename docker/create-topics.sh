#!/bin/bash
# kafka-init: creates the topics with room for inline images (docs/contracts.md §1).
set -euo pipefail
k=/opt/kafka/bin/kafka-topics.sh
until $k --bootstrap-server kafka:29092 --list >/dev/null 2>&1; do sleep 1; done
$k --bootstrap-server kafka:29092 --create --if-not-exists --topic image-events --partitions 4 \
  --replication-factor 1 --config max.message.bytes=16777216
$k --bootstrap-server kafka:29092 --create --if-not-exists --topic image-results --partitions 4 --replication-factor 1
$k --bootstrap-server kafka:29092 --create --if-not-exists --topic image-events-dlq --partitions 1 \
  --replication-factor 1 --config max.message.bytes=16777216

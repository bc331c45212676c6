#!/bin/sh
# Creates Mosquitto's dynamic security file with the HashInsight cloud as its only client:
#   infra/mosquitto/init-dynsec.sh /var/lib/mosquitto/dynamic-security.json hashinsight-cloud
# The cloud's password is read from MQTT_CLOUD_PASSWORD (never a command-line argument, which `ps` shows).
# The cloud gets the dynsec admin role (it provisions and revokes agents over $CONTROL) plus publish and
# subscribe on hashinsight/#. Defaults deny publish and subscribe: agents get exactly their own topics, one
# role per agent, when they enroll. Run it once, before the broker's first start; the file must not exist.
set -eu
file=${1:?usage: init-dynsec.sh FILE CLOUD_USERNAME}
user=${2:?usage: init-dynsec.sh FILE CLOUD_USERNAME}
: "${MQTT_CLOUD_PASSWORD:?set MQTT_CLOUD_PASSWORD to the cloud service password}"
mosquitto_ctrl dynsec init "$file" "$user" "$MQTT_CLOUD_PASSWORD" >/dev/null
# Role changes made later over $CONTROL kick the changed client, so the cloud's own grants go into the file now.
node - "$file" <<'JS'
const fs = require('node:fs');
const file = process.argv[2];
const config = JSON.parse(fs.readFileSync(file, 'utf8'));
const admin = config.roles.find((role) => role.rolename === 'admin');
for (const acltype of ['publishClientSend', 'publishClientReceive', 'subscribePattern', 'unsubscribePattern'])
  admin.acls.push({ acltype, topic: 'hashinsight/#', allow: true });
config.defaultACLAccess = { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true };
fs.writeFileSync(file, JSON.stringify(config, null, '\t'), { mode: 0o600 });
JS
chmod 600 "$file"
echo "dynamic security file $file ready; the cloud logs in as $user"

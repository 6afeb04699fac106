#!/usr/bin/env bash
# Makes a certificate for the auth-service, signed by a new CA, with openssl:
#   infra/tls/make-certs.sh OUT_DIR NAME [NAME ...]
# writes OUT_DIR/ca.crt (give it to the worker-api and supervisors as NODE_EXTRA_CA_CERTS),
# OUT_DIR/auth-tls.crt and OUT_DIR/auth-tls.key (AUTH_TLS_CERT_FILE, AUTH_TLS_KEY_FILE; the
# key 0600). Each NAME (a DNS name or an IP address) goes into subjectAltName; the first is
# also the subject. The CA's private key is thrown away: to reissue, run it again and
# redistribute ca.crt. For a real deployment, use your own CA or cert-manager instead.
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: $0 OUT_DIR NAME [NAME ...]" >&2
  exit 2
fi
out=$1
shift
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
san=""
for name in "$@"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then entry="IP:$name"; else entry="DNS:$name"; fi
  san="${san:+$san,}$entry"
done
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -days 825 -subj "/CN=gastown auth-service CA" -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req "${ec[@]}" -subj "/CN=$1" -keyout "$work/auth-tls.key" -out "$work/auth-tls.csr" 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san" > "$work/ext"
openssl x509 -req -in "$work/auth-tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 397 -extfile "$work/ext" -out "$work/auth-tls.crt" 2>/dev/null
install -m 0644 "$work/ca.crt" "$out/ca.crt"
install -m 0644 "$work/auth-tls.crt" "$out/auth-tls.crt"
install -m 0600 "$work/auth-tls.key" "$out/auth-tls.key"
echo "wrote $out/ca.crt, $out/auth-tls.crt, $out/auth-tls.key for $san"

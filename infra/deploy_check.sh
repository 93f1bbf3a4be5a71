#!/usr/bin/env bash
# make deploy-check: static checks of infra/terraform, then a full apply / verify / destroy cycle
# against the embedded AWS (a moto server on a free loopback port). No AWS account, no network
# beyond PyPI (for checkov's own virtualenv, created once).
#
#   TF_PLUGIN_DIR   provider mirror (default: a tf-plugins directory near /, e.g. /opt/tf-plugins)
#   PYTHON          the project's interpreter with moto and boto3 (default: .venv/bin/python)
#   CHECKOV_VERSION checkov pinned in .venv-checkov (default 3.3.30)
#   SKIP_APPLY=1    static checks only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_SRC="$ROOT/infra/terraform"
WORK="$ROOT/infra/.deploy-check"          # scratch copy; the source tree is never written to
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
CHECKOV_VENV="$ROOT/.venv-checkov"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'deploy-check: %s\n' "$*" >&2; exit 1; }

find_plugin_dir() {
  local candidate
  for candidate in /opt/tf-plugins /tf-plugins /usr/local/share/tf-plugins /usr/share/tf-plugins; do
    [ -d "$candidate" ] && { echo "$candidate"; return; }
  done
  find / -maxdepth 3 -type d -name tf-plugins -not -path '/proc/*' 2>/dev/null | head -n 1
}

command -v terraform >/dev/null || fail "terraform is not on PATH"
[ -x "$PYTHON" ] || fail "no project interpreter at $PYTHON (create .venv first)"
TF_PLUGIN_DIR="${TF_PLUGIN_DIR:-$(find_plugin_dir)}"
[ -n "$TF_PLUGIN_DIR" ] && [ -d "$TF_PLUGIN_DIR" ] || fail "no Terraform provider mirror; set TF_PLUGIN_DIR"

rm -rf "$WORK"
mkdir -p "$WORK/tf"
# A CLI config that is named but missing only produces warnings; give Terraform an empty one.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then
  : >"$WORK/terraformrc"
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
fi
started=$SECONDS

step "terraform fmt -check"
terraform fmt -check -recursive -diff "$TF_SRC"

step "terraform init -backend=false (providers from $TF_PLUGIN_DIR) and validate"
cp "$TF_SRC"/*.tf "$TF_SRC"/*.json "$TF_SRC"/local.tfvars "$WORK/tf/"
terraform -chdir="$WORK/tf" init -backend=false -plugin-dir "$TF_PLUGIN_DIR" -no-color >"$WORK/init.log" \
  || { cat "$WORK/init.log"; fail "terraform init failed"; }
terraform -chdir="$WORK/tf" validate -no-color

step "checkov $CHECKOV_VERSION (own virtualenv: $CHECKOV_VENV)"
if ! "$CHECKOV_VENV/bin/checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
  base_python="$(command -v python3)"
  "$base_python" -m venv "$CHECKOV_VENV"
  "$CHECKOV_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
"$CHECKOV_VENV/bin/checkov" -d "$TF_SRC" --framework terraform --quiet --compact --skip-download \
  --output cli

if [ "${SKIP_APPLY:-0}" = "1" ]; then
  step "SKIP_APPLY=1: no local apply"; exit 0
fi

step "start the embedded AWS (moto server)"
port="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
endpoint="http://127.0.0.1:$port"
"$PYTHON" -m moto.server -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
moto_pid=$!
cleanup() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  "$PYTHON" -c "import urllib.request; urllib.request.urlopen('$endpoint/moto-api/', timeout=1)" 2>/dev/null && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "$WORK/moto.log"; fail "moto server did not start"; }
  sleep 0.2
done
echo "moto server $endpoint (pid $moto_pid)"

step "local stage inputs: placeholder package, API document from the app"
"$PYTHON" - "$WORK/deployment.zip" <<'PY'
import sys, zipfile
# The real package comes from `chalice package` in the release step; moto only stores it.
with zipfile.ZipFile(sys.argv[1], "w") as archive:
    archive.writestr("app.py", "def app(event, context):\n    return {}\n")
PY
if [ -f "$ROOT/app.py" ]; then
  "$PYTHON" "$ROOT/infra/chalice_release.py" generate --openapi3 "$ROOT" "$WORK/openapi.json"
else
  cp "$TF_SRC/local/openapi.placeholder.json" "$WORK/openapi.json"
fi
sed "s#@ENDPOINT@#$endpoint#g" "$TF_SRC/local/embedded_aws_override.tf.tpl" >"$WORK/tf/zz_embedded_aws_override.tf"
tf_vars=(-var-file=local.tfvars -var "lambda_package_path=$WORK/deployment.zip" -var "api_openapi_path=$WORK/openapi.json")
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN

step "terraform apply (embedded AWS)"
terraform -chdir="$WORK/tf" init -reconfigure -plugin-dir "$TF_PLUGIN_DIR" -no-color >>"$WORK/init.log" \
  || { cat "$WORK/init.log"; fail "terraform init (local backend) failed"; }
timeout 300 terraform -chdir="$WORK/tf" apply -auto-approve -no-color -parallelism=20 "${tf_vars[@]}" >"$WORK/apply.log" \
  || { tail -n 60 "$WORK/apply.log"; fail "terraform apply failed (log: $WORK/apply.log)"; }
grep -E '^Apply complete' "$WORK/apply.log"
terraform -chdir="$WORK/tf" output -json >"$WORK/outputs.json"

step "verify what was created"
verified=0
"$PYTHON" "$ROOT/tests/deploy/verify_local_apply.py" --endpoint "$endpoint" --outputs "$WORK/outputs.json" || verified=$?

step "terraform destroy"
timeout 300 terraform -chdir="$WORK/tf" destroy -auto-approve -no-color -parallelism=20 "${tf_vars[@]}" >"$WORK/destroy.log" \
  || { tail -n 60 "$WORK/destroy.log"; fail "terraform destroy failed (log: $WORK/destroy.log)"; }
grep -E '^Destroy complete' "$WORK/destroy.log"

[ "$verified" = 0 ] || fail "what was created does not match (see FAIL lines above)"
step "deploy-check passed in $((SECONDS - started)) s"

#!/usr/bin/env bash
# Offline synth of every stage, then cfn-lint on what was synthesized. No AWS account needed.
#
#   infra/synth.sh            # dev and prod
#   infra/synth.sh prod       # one stage
#
# Fails (non-zero) on a synth error, on any cdk-nag finding that is not acknowledged with a reason
# (the CDK CLI exits 1 when a validation plugin reports a violation), and on any cfn-lint finding.
# Output: infra/cdk.out/<stage>/<stage>.template.json (git-ignored).
# Needs: the venv with infra/requirements.txt, and `npm ci --prefix infra` (the pinned CDK CLI).
# LAMBDESK_CHALICE_SOURCE_DIR=/path packages a stand-in Chalice app (development only).
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$INFRA_DIR")"
VENV_BIN="${VENV_BIN:-$REPO_ROOT/.venv/bin}"
CDK="$INFRA_DIR/node_modules/.bin/cdk"
if [[ $# -gt 0 ]]; then STAGES=("$@"); else STAGES=(dev prod); fi

export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
# Synth is offline: no account lookups, no notices, no telemetry.
export CDK_DISABLE_CLI_TELEMETRY=true
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"
DUMMY_ACCOUNT="${LAMBDESK_SYNTH_ACCOUNT:-111111111111}"

if [[ ! -x "$CDK" ]]; then
  echo "synth.sh: the CDK CLI is not installed: run 'npm ci --prefix infra'" >&2
  exit 2
fi
if [[ ! -x "$VENV_BIN/python" ]]; then
  echo "synth.sh: no virtual environment at $VENV_BIN (set VENV_BIN)" >&2
  exit 2
fi

cd "$INFRA_DIR"
templates=()
for stage in "${STAGES[@]}"; do
  echo "== cdk synth: $stage (account $DUMMY_ACCOUNT, region $AWS_DEFAULT_REGION)"
  rm -rf "cdk.out/$stage"
  "$CDK" synth --quiet --no-notices --ci \
    --app "$VENV_BIN/python app.py" \
    --context "stage=$stage" --context "account=$DUMMY_ACCOUNT" \
    --output "cdk.out/$stage"
  templates+=("cdk.out/$stage/$stage.template.json")
done

echo "== cfn-lint: ${templates[*]}"
"$VENV_BIN/cfn-lint" "${templates[@]}"
echo "synth.sh: ${#templates[@]} stage(s) synthesized; cdk-nag and cfn-lint clean"

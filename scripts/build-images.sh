#!/usr/bin/env bash
# Builds (and optionally pushes) the container images of fleet-networking, one per component,
# from the multi-stage Dockerfile at the repository root:
#
#   <REGISTRY>/hub-net-controller-manager:<TAG>
#   <REGISTRY>/member-net-controller-manager:<TAG>
#   <REGISTRY>/mcs-controller-manager:<TAG>
#   <REGISTRY>/net-crd-installer:<TAG>
#
# Each image holds one release binary built with `swift build -c release --static-swift-stdlib`
# on a distroless runtime, running as UID 65532.
#
# Environment:
#   REGISTRY   image registry/prefix            (default: ghcr.io/azure/fleet-networking)
#   TAG        image tag                        (default: short git SHA, as the reference)
#   ENGINE     container CLI (docker, podman)   (default: docker)
#   PUSH       "true" to push after building    (default: false)
#   PLATFORM   e.g. linux/amd64                 (default: the engine's)
#   COMPONENTS space-separated subset           (default: all four)
#
# Usage: REGISTRY=myregistry.azurecr.io TAG=v0.1.0 PUSH=true scripts/build-images.sh
#        scripts/build-images.sh --print   # print the image references only
set -euo pipefail

ALL_COMPONENTS="hub-net-controller-manager member-net-controller-manager mcs-controller-manager net-crd-installer"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REGISTRY="${REGISTRY:-ghcr.io/azure/fleet-networking}"
TAG="${TAG:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo dev)}"
ENGINE="${ENGINE:-docker}"
PUSH="${PUSH:-false}"
COMPONENTS="${COMPONENTS:-$ALL_COMPONENTS}"

for component in $COMPONENTS; do
  case " $ALL_COMPONENTS " in
    *" $component "*) ;;
    *) echo "unknown component: $component (one of: $ALL_COMPONENTS)" >&2; exit 2 ;;
  esac
done

if [[ "${1:-}" == "--print" ]]; then
  for component in $COMPONENTS; do echo "$REGISTRY/$component:$TAG"; done
  exit 0
fi

command -v "$ENGINE" >/dev/null || { echo "$ENGINE not found (set ENGINE=podman, or use --print)" >&2; exit 1; }

for component in $COMPONENTS; do
  image="$REGISTRY/$component:$TAG"
  echo ">> building $image"
  args=(build --build-arg "COMPONENT=$component" -t "$image" -f "$ROOT/Dockerfile")
  [[ -n "${PLATFORM:-}" ]] && args+=(--platform "$PLATFORM")
  "$ENGINE" "${args[@]}" "$ROOT"
  if [[ "$PUSH" == "true" ]]; then
    echo ">> pushing $image"
    "$ENGINE" push "$image"
  fi
done

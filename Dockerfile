# syntax=docker/dockerfile:1
#
# One image per component, chosen with the COMPONENT build argument:
#   hub-net-controller-manager | member-net-controller-manager | mcs-controller-manager | net-crd-installer
# Build all four with scripts/build-images.sh (tags <REGISTRY>/<component>:<TAG>).
#
#   docker build --build-arg COMPONENT=hub-net-controller-manager -t $REGISTRY/hub-net-controller-manager:$TAG .

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

# ---- build (Debian 12, as the runtime): a stripped release binary (~85 MB; 167 MB with symbols)
# with the Swift runtime and Foundation linked in statically, so the runtime image needs only the
# C/C++ runtime and zlib (glibc, libstdc++, libgcc, libz — all in distroless cc-debian12).
# scripts/check-static-binaries.sh checks this without a container engine.
FROM ${SWIFT_IMAGE} AS build
ARG COMPONENT
RUN test -n "${COMPONENT}" || (echo "set --build-arg COMPONENT=<component>" >&2; exit 1)
WORKDIR /src
COPY Package.swift Package.resolved* ./
COPY Sources ./Sources
# SwiftPM loads every target of the manifest, test targets included.
COPY Tests ./Tests
COPY config/crd ./config/crd
# The build directory is a BuildKit cache, kept between builds of the four components.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib --product "${COMPONENT}" \
 && mkdir -p /out \
 && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/${COMPONENT}" /out/manager \
 && strip /out/manager

# ---- runtime: no shell, no package manager; runs as UID 65532 (distroless "nonroot").
FROM ${RUNTIME_IMAGE}
ARG COMPONENT
LABEL org.opencontainers.image.title="${COMPONENT}" \
      org.opencontainers.image.source="fleet-networking (Swift)" \
      org.opencontainers.image.description="fleet-networking ${COMPONENT}"
WORKDIR /
COPY --from=build /out/manager /manager
# net-crd-installer reads the CRDs from this fixed path (the reference's image layout); the
# files are small, so every image carries them.
COPY --from=build /src/config/crd/bases /workspace/config/crd/bases
USER 65532:65532
ENTRYPOINT ["/manager"]

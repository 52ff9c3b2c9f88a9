# syntax=docker/dockerfile:1

# Athar's container image: one static binary on a distroless base.
#
#   docker build -t athar .
#   docker compose up -d        # Athar plus Neo4j; see docker-compose.yml
#
# The image needs an existing Neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
# NEO4J_DATABASE); the embedded Neo4j of `athar serve` without NEO4J_URI needs
# a JVM and is not available in this image.

# ---- build ----------------------------------------------------------------
FROM golang:1.26 AS build
WORKDIR /src

# Dependencies first, so that source edits do not download modules again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -o /out/athar ./cmd/athar

# ---- run ------------------------------------------------------------------
# static-debian12 has CA certificates and tzdata but no shell or libc; the
# :nonroot variant runs as uid/gid 65532.
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/athar /usr/local/bin/athar

ENV ATHAR_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot:nonroot

# `athar healthcheck` GETs /readyz on ATHAR_ADDR (0.0.0.0 means 127.0.0.1)
# and exits 0 when Athar and its Neo4j are ready, 1 otherwise.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/athar", "healthcheck"]

ENTRYPOINT ["/usr/local/bin/athar"]
CMD ["serve"]

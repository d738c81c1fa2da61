# Plein: one static binary, every role a subcommand (serve, work, controlplane, migrate).
#
# Built with `docker build -t plein .` on a machine with a container engine; the
# development machines of this project have none, so this file is checked by reading,
# not by building (see README, Containers).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary that runs on distroless/static. -trimpath and no VCS stamp
# keep the build reproducible.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/plein ./services/plein

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/plein /plein
# nonroot is uid 65532; the chart also sets runAsNonRoot and a read-only root filesystem.
USER 65532:65532
EXPOSE 8080 9090
ENTRYPOINT ["/plein"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# Build: a static binary. Run: distroless, non-root, nothing but the binary and CA roots.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/slaguard ./cmd/slaguard

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/slaguard /usr/local/bin/slaguard
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/slaguard"]
CMD ["serve"]

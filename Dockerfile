# syntax=docker/dockerfile:1
# Veil in a container: one static-asset binary (the console and the
# recorder bundle are embedded from the committed dist files), run as an
# unprivileged user, its queue on a volume. See docs/deploy.md.
#
#   docker build -t veil .
#   docker run -v veil-queue:/var/lib/veil -v ./veil.toml:/etc/veil/veil.toml:ro -p 8080:8080 veil

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin veil \
    && strip target/release/veil

FROM debian:bookworm-slim
# ca-certificates: ClickHouse over https.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/veil veil \
    && install -d -o veil -g veil -m 0750 /var/lib/veil /var/lib/veil/queue
COPY --from=build /src/target/release/veil /usr/local/bin/veil
USER 10001:10001
ENV VEIL_CONFIG=/etc/veil/veil.toml \
    VEIL_QUEUE__DIR=/var/lib/veil/queue \
    VEIL_SERVER__LISTEN=0.0.0.0:8080
VOLUME ["/var/lib/veil"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/veil"]
CMD ["serve"]

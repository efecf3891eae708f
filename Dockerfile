# Gavel's image: `gavel serve` as a non-root user, state in the /data volume.
# Build: docker build -t gavel .   Run: see compose.yaml and README "Run with Docker Compose".

# The build stage installs Gavel into /opt/gavel with the same script the tests run
# (scripts/install-image); only that environment is copied into the final stage.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY gavel ./gavel
COPY scripts/install-image ./scripts/install-image
RUN scripts/install-image /opt/gavel

FROM python:3.11-slim
# The image's environment (tests/test_image.py starts `gavel serve` with these values):
# state in /data, the web server on every interface at 8080, logs as JSON lines.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/gavel/bin:$PATH \
    GAVEL_DATA_DIR=/data \
    GAVEL_WEB_HOST=0.0.0.0 \
    GAVEL_WEB_PORT=8080 \
    GAVEL_LOG_FORMAT=json
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /data gavel \
    && mkdir -p /data /config \
    && chown gavel:gavel /data
COPY --from=build /opt/gavel /opt/gavel
COPY config.example.toml /config/gavel.example.toml
WORKDIR /data
USER 10001:10001
# Mount a named volume here (compose.yaml does): the SQLite database, its locks and the
# saved minutes outlive the container. Mount your config at /config/gavel.toml and set
# GAVEL_CONFIG=/config/gavel.toml; tokens come from the environment, never the image.
VOLUME ["/data"]
EXPOSE 8080
# `gavel healthcheck` asks /healthz on $GAVEL_WEB_PORT: it follows a changed port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["gavel", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["gavel"]
CMD ["serve"]

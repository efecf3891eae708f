# Gavel: the same install steps as the README (scripts/setup), as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GAVEL_CONFIG=/config/gavel.toml \
    GAVEL_DATA_DIR=/data

RUN useradd --create-home --uid 10001 gavel \
    && mkdir -p /app /data /config \
    && chown gavel:gavel /app /data /config
WORKDIR /app
USER gavel

COPY --chown=gavel:gavel pyproject.toml README.md ./
COPY --chown=gavel:gavel bot ./bot
COPY --chown=gavel:gavel adapters ./adapters
COPY --chown=gavel:gavel scripts ./scripts
COPY --chown=gavel:gavel config.example.toml slack-manifest.yaml ./
RUN scripts/setup --no-dev

# Mount your config at /config/gavel.toml and pass tokens as environment variables.
# GAVEL_DATA_DIR puts every state file (SQLite database, its locks, saved minutes) in the
# /data volume whatever the config's data_dir says: mount a named volume there
# (docker run -v gavel-data:/data ...) and the data outlives the container. The web server (healthz, Slack HTTP mode, calendar feeds) must
# listen on 0.0.0.0 inside the container: set [web] host = "0.0.0.0".
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)" || exit 1
ENTRYPOINT ["/app/.venv/bin/gavel"]
CMD ["run"]

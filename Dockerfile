# syntax=docker/dockerfile:1
# paymentprocess: the claims service, the outbox relay and the reference consumer, one image.
# Not built or run on the project's machines (no container engine there): see README.md
# ("With containers") and docs/containers.md for what is validated instead.
#
#   docker build -t paymentprocess .
#   docker run --rm -p 8000:8000 -e PAYMENT_DB_URI=postgresql://… paymentprocess
#
# No secrets in the image: every setting comes from the environment at run time (PAYMENT_*).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: the locked dependencies and the project, installed by uv into /opt/venv ---------
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv
FROM ${PYTHON_IMAGE} AS builder
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv
WORKDIR /build
# Dependencies first (their layer is reused until uv.lock changes), then the project itself.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# --- runtime: the slim Python image, the virtual environment, a user without privileges --------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 payments \
    && useradd --system --uid 10001 --gid payments --home-dir /app --shell /usr/sbin/nologin payments \
    && mkdir -p /app/outputs \
    && chown -R payments:payments /app
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PAYMENT_OUTPUT_DIR=/app/outputs
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# The service's own check (database included). The relay and the consumer serve no HTTP:
# compose.yaml gives them no health check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
ENTRYPOINT ["paymentprocess"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]

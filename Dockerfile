# tsunagari: one stateless app process; run several behind a load balancer with one
# Redis 7 (AOF on) given as REDIS_URL. Deployment details come with the deployment issue.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv \
 && useradd --create-home --uid 10001 tsunagari
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY bot ./bot
COPY handoff ./handoff
COPY flows ./flows
COPY locales ./locales
RUN uv sync --frozen --no-dev && chown -R tsunagari /app
USER tsunagari
EXPOSE 8080
HEALTHCHECK CMD python -c "import urllib.request,sys;urllib.request.urlopen('http://127.0.0.1:8080/healthz',timeout=3)" || exit 1
CMD ["/app/.venv/bin/tsunagari", "serve", "--host", "0.0.0.0", "--port", "8080"]

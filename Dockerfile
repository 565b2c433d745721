# Qudao's one image: the web process (gunicorn), the Celery worker and Celery beat all run it.
# docker-compose.yml shows them together with PostgreSQL and Redis.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (statement PDFs) needs Pango; Chinese text in PDFs needs CJK fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
# Static files are collected into the image (whitenoise serves them, hashed and compressed).
# Settings need a database URL and a key to load, though collectstatic uses neither.
RUN DATABASE_URL=postgres://build@localhost/build SECRET_KEY=collectstatic-only DEBUG=false COLLECTED_STATIC=true \
    python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 1000 --home-dir /app qudao \
    && mkdir -p /app/var/media \
    && chown -R qudao /app/var
USER qudao

# Production: no DEBUG, and the process refuses to start without its own SECRET_KEY.
ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings \
    DEBUG=false \
    REQUIRE_SECRET_KEY=true \
    COLLECTED_STATIC=true

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

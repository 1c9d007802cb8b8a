# The console for a team server: gunicorn behind your TLS proxy, PostgreSQL via DATABASE_URL.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 console

COPY pyproject.toml README.md ./
COPY console ./console
RUN pip install .

COPY manage.py ./
COPY templates ./templates
COPY static ./static
# collectstatic needs settings but no real secrets: build-time placeholders only.
RUN SECRET_KEY=build CONSOLE_ENCRYPTION_KEYS=0000000000000000000000000000000000000000000= \
    CONSOLE_LOCAL_DIR=/tmp/build python manage.py collectstatic --noinput

USER console
ENV CONSOLE_LOCAL_DIR=/home/console/.local
EXPOSE 8000
CMD ["gunicorn", "-c", "python:console.gunicorn", "console.wsgi"]

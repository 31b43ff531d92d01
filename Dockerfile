FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md app.py ./
COPY channel ./channel
COPY workers ./workers
COPY schemas ./schemas
RUN pip install --no-cache-dir -e .
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "app:create_app()"]

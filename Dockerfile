# The poletype HTTP service, built from the wheel (python -m build --wheel first).
# docker build -t poletype . && docker run -p 8000:8000 poletype
FROM python:3.12-slim

COPY dist/poletype-*.whl /tmp/
RUN pip install --no-cache-dir "$(ls /tmp/poletype-*.whl)[server]" && rm /tmp/poletype-*.whl \
    && useradd --create-home --uid 10001 poletype

USER poletype
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
ENTRYPOINT ["poletype", "serve", "--host", "0.0.0.0", "--port", "8000"]

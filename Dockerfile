# syntax=docker/dockerfile:1
# SpinPet K-line server image (design document §10.2).
#
#   docker build -t spinpet-server .
#   docker run -p 8080:8080 -v spinpet-data:/data \
#     -e SPIN_SOLANA__RPC_URL=https://… -e SPIN_SOLANA__WS_URL=wss://… spinpet-server
#
# Configuration as everywhere: config/default.toml, then config/production.toml (SPIN_ENV below), then SPIN_
# environment variables, then arguments (`docker run … spinpet-server --simulator` runs the offline demo).
# tests/SpinPet.EndToEnd.Tests/Operations/PublishTests.cs runs the publish command below and starts its output
# from a clean folder, which is what CI checks in place of building this image.

# --- build -------------------------------------------------------------------------------------------------------
# global.json asks for SDK 10.0.401 or a later feature band: the 10.0 tag carries the newest 10.0 SDK.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The chart page at / takes lightweight-charts from npm at build time: SpinPet.Server.csproj runs `npm ci` in web/
# (node_modules is not in the build context) and copies the bundle and the page into the output's wwwroot/.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The cache mount keeps downloaded NuGet packages between builds (BuildKit); they never reach the image.
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/SpinPet.Server -c Release -o /app

# --- runtime -----------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# RocksDB's native dependencies: none beyond the base image. How we know: `ldd` and `readelf -d` on the
# librocksdb.so that the RocksDB NuGet package ships (~/.nuget/packages/rocksdb/<version>/runtimes/linux-x64/native/)
# list only libc.so.6, libm.so.6, libgcc_s.so.1 and ld-linux-x86-64.so.2; snappy, lz4, zstd, zlib and bzip2 are
# linked in statically (`strings` finds their symbols inside it), and `objdump -T` shows GLIBC_2.34 as the newest
# glibc it needs. So no libsnappy/liblz4/libzstd/zlib/libbz2 packages. RocksDbSharp first tries the package's
# librocksdb-jemalloc.so, which also needs libjemalloc.so.2; without the libjemalloc2 package it loads
# librocksdb.so, the same library the tests and the publish smoke test run with. curl is for the HEALTHCHECK only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app .

# RocksDB lives on a volume, owned by the image's non-root user (APP_UID, 1654, comes with the .NET images).
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data

# SPIN_ENV=production reads config/production.toml (JSON logs, production limits). The listen address is ours
# (server.host/port); ASPNETCORE_HTTP_PORTS from the base image is cleared so Kestrel does not warn it is ignored.
ENV SPIN_ENV=production \
    SPIN_SERVER__HOST=0.0.0.0 \
    SPIN_SERVER__PORT=8080 \
    SPIN_DATABASE__ROCKSDB_PATH=/data/rocksdb \
    ASPNETCORE_HTTP_PORTS=
EXPOSE 8080

USER $APP_UID

# /health is 200 while healthy or degraded (node unreachable: history is still served), 503 when unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${SPIN_SERVER__PORT}/health" || exit 1

# dotnet is PID 1 and receives SIGTERM directly: it stops accepting, closes WebSockets with 1001, finishes the
# ingest batch and closes RocksDB (give it the grace period: `docker stop -t 35`, compose's stop_grace_period).
ENTRYPOINT ["dotnet", "SpinPet.Server.dll"]

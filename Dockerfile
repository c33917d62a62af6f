# A self-contained image of the gradcam command, the embedded default model included, for the cluster recipes in
# deploy/ (see docs/datasets.md):  docker build -t gradcamsharp:0.9.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/GradCamSharp.Cli/GradCamSharp.Cli.csproj -c Release -r linux-x64 --self-contained \
        -o /opt/gradcam --nologo

FROM debian:12-slim
# LibTorch's OpenMP runtime; DejaVu Sans for the panels' captions.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/gradcam /opt/gradcam
RUN ln -s /opt/gradcam/gradcam /usr/local/bin/gradcam
USER 65534:65534
ENTRYPOINT ["gradcam"]
CMD ["--help"]

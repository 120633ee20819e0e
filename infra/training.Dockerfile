# The training job's image: the Recommender.Training CLI on the .NET runtime, CPU build of TorchSharp.
# Build from the repository root: docker build -f infra/training.Dockerfile -t recommender-training .
# (or in Azure, without local Docker: az acr build -r REGISTRY -f infra/training.Dockerfile -t recommender-training:TAG .)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /repo

# Restore first, from the project files only, so code changes reuse the restored layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Model/Recommender.Model.csproj src/Model/
COPY src/Training/Recommender.Training.csproj src/Training/
COPY src/Training/Native/TorchSharpNativeFix.targets src/Training/Native/ElfVersionNeeds.cs src/Training/Native/
RUN dotnet restore src/Training/Recommender.Training.csproj

COPY src/Model/ src/Model/
COPY src/Training/ src/Training/
# TorchSharpNativeFix.targets runs after Publish and marks libLibTorchSharp.so's GLIBCXX_3.4.32 requirement weak in
# /app, so the library loads whatever libstdc++ the runtime image has, and the non-root process never has to
# rewrite it at start.
RUN dotnet publish src/Training/Recommender.Training.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app ./
# The images' built-in unprivileged user; training writes only under /tmp (RETRAIN_WORK_FOLDER) and to Blob Storage.
USER app
ENTRYPOINT ["dotnet", "Recommender.Training.dll"]

@description('Region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Container Apps environment name.')
param environmentName string

@description('Container Apps job name.')
param jobName string

@description('Log Analytics workspace that receives the job\'s console logs.')
param logAnalyticsName string

@description('GPU workload profile type of the environment (serverless GPU, billed per second while an execution runs).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

@description('vCPUs of the training container; at most what one GPU of the profile comes with (T4: 8, A100: 24).')
param cpuCores int

@description('Memory of the training container, e.g. 56Gi (T4) or 220Gi (A100).')
param memory string

@description('Seconds one execution may run before it is stopped.')
param replicaTimeoutSeconds int

@description('Times a failed or stopped replica is started again; each retry resumes the run from its checkpoint.')
@minValue(0)
@maxValue(5)
param replicaRetryLimit int

@description('Training image. Empty: a public placeholder until the image is pushed to the registry (see the README).')
param image string

@description('Login server of the registry the image is pulled from, with the training identity.')
param registryLoginServer string

@description('Resource id and client id of the training job\'s user-assigned identity.')
param trainingIdentityId string
param trainingIdentityClientId string

@description('Blob endpoint of the storage account, reached with the training identity.')
param storageAccountUrl string

@description('Table endpoint of the same account and the user events table the retrain merges into the release.')
param storageTableUrl string
param eventsTableName string

@description('Settings shared with the Function App (see main.bicep).')
param dataContainerName string
param dataPrefix string
param modelsContainerName string
param runsContainerName string
param modelRetentionCount int
param qualityGateMargin string
param retrainMaxEpochs string

var gpuProfileName = 'gpu'
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart-jobs:latest'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsName
}

resource containerAppsEnvironment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logAnalytics.properties.customerId
        sharedKey: logAnalytics.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuProfileName
        workloadProfileType: gpuProfileType
      }
    ]
  }
}

resource trainingJob 'Microsoft.App/jobs@2025-01-01' = {
  name: jobName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${trainingIdentityId}': {}
    }
  }
  properties: {
    environmentId: containerAppsEnvironment.id
    workloadProfileName: gpuProfileName
    configuration: {
      // Started by the Function App (RETRAIN_MODE=container-apps-job), which passes `retrain --run-id ID --trigger T`.
      triggerType: 'Manual'
      manualTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
      }
      replicaTimeout: replicaTimeoutSeconds
      // A retried replica gets the same `--run-id`: it resumes from the checkpoint the run keeps beside its record in
      // the runs container (after each epoch), so a crash or an evicted node costs at most one epoch.
      replicaRetryLimit: replicaRetryLimit
      registries: [
        {
          server: registryLoginServer
          identity: trainingIdentityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'training'
          image: empty(image) ? placeholderImage : image
          command: [
            'dotnet'
            'Recommender.Training.dll'
          ]
          resources: {
            cpu: cpuCores
            memory: memory
          }
          env: [
            { name: 'AZURE_CLIENT_ID', value: trainingIdentityClientId }
            { name: 'STORAGE_ACCOUNT_URL', value: storageAccountUrl }
            { name: 'STORAGE_TABLE_URL', value: storageTableUrl }
            { name: 'EVENTS_TABLE', value: eventsTableName }
            { name: 'DATA_CONTAINER', value: dataContainerName }
            { name: 'DATA_PREFIX', value: dataPrefix }
            { name: 'MODELS_CONTAINER', value: modelsContainerName }
            { name: 'RUNS_CONTAINER', value: runsContainerName }
            { name: 'MODEL_RETENTION_COUNT', value: string(modelRetentionCount) }
            { name: 'QUALITY_GATE_MARGIN', value: qualityGateMargin }
            { name: 'RETRAIN_MAX_EPOCHS', value: retrainMaxEpochs }
            { name: 'RETRAIN_WORK_FOLDER', value: '/tmp/retrain' }
          ]
        }
      ]
    }
  }
}

output jobId string = trainingJob.id

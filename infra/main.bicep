// The recommender on Azure: a Flex Consumption Function App (HTTP API + retrain timer) and a GPU Container Apps job
// that trains, sharing one storage account reached with managed identities only. Deployed with `azd up`.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource: it must offer Flex Consumption and the chosen Container Apps GPU profile.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID): may upload data and read runs and models.')
param principalId string = ''

@description('Function App instances kept warm for the HTTP functions; 0 lets the app scale to zero.')
@minValue(0)
param alwaysReadyHttpInstances int = 0

@description('Most Function App instances.')
param maximumInstanceCount int = 100

@description('Memory of each Function App instance in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Serverless GPU profile of the training job.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('vCPUs and memory of the training container (T4: 8 and 56Gi; A100: 24 and 220Gi).')
param trainingCpuCores int = 8
param trainingMemory string = '56Gi'

@description('Seconds one training execution may run.')
param trainingTimeoutSeconds int = 14400

@description('Times the training job starts a failed replica again; a retry resumes the run from its last epoch checkpoint.')
param trainingRetryLimit int = 2

@description('Training image, e.g. REGISTRY.azurecr.io/recommender-training:TAG; empty until it is pushed.')
param trainingImage string = ''

@description('NCRONTAB schedule of the Retrain timer (UTC).')
param retrainSchedule string = '0 0 3 * * *'

@description('Relative ndcg@10 drop a candidate may show against the published model and still be published.')
param qualityGateMargin string = '0.02'

@description('Cap on training epochs; empty: the trainer\'s own.')
param retrainMaxEpochs string = ''

@description('Published model versions kept.')
param modelRetentionCount int = 5

@description('Seconds between the API\'s checks for a newly published model.')
param modelRefreshSeconds int = 30

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-${resourceToken}'
// Names that modules look resources up by are computed here, not taken from module outputs, so What-If can
// predict them; the modules that need those resources name the producing modules in dependsOn.
var appIdentityName = 'id-app-${resourceToken}'
var trainingIdentityName = 'id-training-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var logAnalyticsName = 'log-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var jobName = 'caj-train-${resourceToken}'
// Storage names shared by the app and the job (the defaults of local.settings.sample.json).
var dataContainerName = 'data'
var dataPrefix = 'movielens/'
// The user events: one table per deployment, created by the app on the first post.
var eventsTableName = 'events'
var modelsContainerName = 'models'
var runsContainerName = 'runs'
var deploymentContainerName = 'app-package'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identities 'modules/identities.bicep' = {
  name: 'identities'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    appIdentityName: appIdentityName
    trainingIdentityName: trainingIdentityName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    storageAccountName: storageAccountName
    dataContainerName: dataContainerName
    modelsContainerName: modelsContainerName
    runsContainerName: runsContainerName
    deploymentContainerName: deploymentContainerName
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    registryName: 'cr${resourceToken}'
    pullIdentityName: trainingIdentityName
  }
  dependsOn: [
    identities
  ]
}

module trainingJob 'modules/training-job.bicep' = {
  name: 'training-job'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    environmentName: 'cae-${resourceToken}'
    jobName: jobName
    logAnalyticsName: logAnalyticsName
    gpuProfileType: gpuProfileType
    cpuCores: trainingCpuCores
    memory: trainingMemory
    replicaTimeoutSeconds: trainingTimeoutSeconds
    replicaRetryLimit: trainingRetryLimit
    image: trainingImage
    registryLoginServer: registry.outputs.loginServer
    trainingIdentityId: identities.outputs.trainingIdentityId
    trainingIdentityClientId: identities.outputs.trainingIdentityClientId
    storageAccountUrl: storage.outputs.blobEndpoint
    storageTableUrl: storage.outputs.tableEndpoint
    eventsTableName: eventsTableName
    dataContainerName: dataContainerName
    dataPrefix: dataPrefix
    modelsContainerName: modelsContainerName
    runsContainerName: runsContainerName
    modelRetentionCount: modelRetentionCount
    qualityGateMargin: qualityGateMargin
    retrainMaxEpochs: retrainMaxEpochs
  }
  dependsOn: [
    monitoring
  ]
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    planName: 'plan-${resourceToken}'
    functionAppName: functionAppName
    serviceName: 'api'
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appIdentityId: identities.outputs.appIdentityId
    appIdentityClientId: identities.outputs.appIdentityClientId
    storageAccountName: storage.outputs.storageAccountName
    storageAccountUrl: storage.outputs.blobEndpoint
    storageTableUrl: storage.outputs.tableEndpoint
    eventsTableName: eventsTableName
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    retrainJobResourceId: trainingJob.outputs.jobId
    dataContainerName: dataContainerName
    dataPrefix: dataPrefix
    modelsContainerName: modelsContainerName
    runsContainerName: runsContainerName
    modelRetentionCount: modelRetentionCount
    retrainSchedule: retrainSchedule
    modelRefreshSeconds: modelRefreshSeconds
  }
}

module access 'modules/access.bicep' = {
  name: 'access'
  scope: resourceGroup
  params: {
    storageAccountName: storageAccountName
    dataContainerName: dataContainerName
    modelsContainerName: modelsContainerName
    runsContainerName: runsContainerName
    applicationInsightsName: applicationInsightsName
    jobName: jobName
    appIdentityName: appIdentityName
    trainingIdentityName: trainingIdentityName
    deployerPrincipalId: principalId
  }
  dependsOn: [
    identities
    storage
    monitoring
    trainingJob
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.functionAppName
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.storageAccountName
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.registryName
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output RETRAIN_JOB_NAME string = jobName

@description('Region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Flex Consumption plan name.')
param planName string

@description('Function App name.')
param functionAppName string

@description('azd service name the app is deployed as (azure.yaml).')
param serviceName string

@description('Instances kept warm for the HTTP functions; 0 lets the app scale to zero.')
@minValue(0)
param alwaysReadyHttpInstances int

@description('Most instances the app scales out to.')
param maximumInstanceCount int

@description('Memory of each instance in MB (2048 or 4096).')
@allowed([
  2048
  4096
])
param instanceMemoryMB int

@description('Resource id and client id of the app\'s user-assigned identity.')
param appIdentityId string
param appIdentityClientId string

@description('Storage account of the Functions host (AzureWebJobsStorage) and of the app\'s data.')
param storageAccountName string
param storageAccountUrl string

@description('Table endpoint of the same account and the user events table in it.')
param storageTableUrl string
param eventsTableName string

@description('Container the deployment package is uploaded to.')
param deploymentContainerName string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('ARM id of the training job the app starts.')
param retrainJobResourceId string

@description('Settings shared with the training job (see main.bicep).')
param dataContainerName string
param dataPrefix string
param modelsContainerName string
param runsContainerName string
param modelRetentionCount int
param retrainSchedule string
param modelRefreshSeconds int

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccountUrl}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: appIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : []
      }
      // Flex takes the worker runtime from here: FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not app settings.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // Functions host storage through the identity instead of a connection string.
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: appIdentityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${appIdentityClientId};Authorization=AAD' }
        // DefaultAzureCredential picks the user-assigned identity by this client id.
        { name: 'AZURE_CLIENT_ID', value: appIdentityClientId }
        { name: 'STORAGE_ACCOUNT_URL', value: storageAccountUrl }
        { name: 'STORAGE_TABLE_URL', value: storageTableUrl }
        { name: 'EVENTS_TABLE', value: eventsTableName }
        { name: 'DATA_CONTAINER', value: dataContainerName }
        { name: 'DATA_PREFIX', value: dataPrefix }
        { name: 'MODELS_CONTAINER', value: modelsContainerName }
        { name: 'RUNS_CONTAINER', value: runsContainerName }
        { name: 'MODEL_RETENTION_COUNT', value: string(modelRetentionCount) }
        { name: 'RETRAIN_SCHEDULE', value: retrainSchedule }
        // The app carries no training code: it starts the job, which runs the training CLI's retrain command.
        { name: 'RETRAIN_MODE', value: 'container-apps-job' }
        { name: 'RETRAIN_JOB_RESOURCE_ID', value: retrainJobResourceId }
        { name: 'RETRAIN_ARM_ENDPOINT', value: environment().resourceManager }
        { name: 'MODEL_REFRESH_SECONDS', value: string(modelRefreshSeconds) }
        { name: 'MODEL_CACHE_FOLDER', value: '/tmp/model-cache' }
      ]
    }
  }
}

output functionAppName string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName

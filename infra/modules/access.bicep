// Role assignments, each at the narrowest scope that works.

@description('Storage account holding the containers below.')
param storageAccountName string

@description('Containers of MovieLens data, model bundles and run records.')
param dataContainerName string
param modelsContainerName string
param runsContainerName string

@description('Application Insights component the app sends telemetry to with its identity.')
param applicationInsightsName string

@description('Training job the app starts.')
param jobName string

@description('Names of the app and training identities.')
param appIdentityName string
param trainingIdentityName string

@description('Object id of the deploying user; empty: no grant.')
param deployerPrincipalId string

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource trainingIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: trainingIdentityName
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' existing = {
  parent: storageAccount
  name: 'default'
}

resource dataContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: dataContainerName
}

resource modelsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: modelsContainerName
}

resource runsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: runsContainerName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource trainingJob 'Microsoft.App/jobs@2025-01-01' existing = {
  name: jobName
}

// The Functions host keeps its keys, timer locks and the deployment package in this account, and Microsoft documents
// Storage Blob Data Owner for identity-based AzureWebJobsStorage; the app's own containers are in the same account.
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appIdentity.id, roles.storageBlobDataOwner)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The app stores, reads and erases user events and creates their table on the first post: table data only, no blob
// or management rights beyond the ones above. Creating a table is an account-level data action, hence the account scope.
resource appTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appIdentity.id, roles.storageTableDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Starting the job needs Microsoft.App/jobs/start/action. Contributor would also let the app rewrite the job (image,
// identity); a custom role names exactly what the app does: read the job (to copy its container into the start
// request), start it, list and read its executions. It is assigned on the one job, not the resource group.
resource jobStarterRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'retrain-job-starter')
  properties: {
    roleName: 'Retrain job starter (${uniqueString(resourceGroup().id)})'
    description: 'Read, start and watch the executions of the recommender\'s training job.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.App/jobs/read'
          'Microsoft.App/jobs/start/action'
          'Microsoft.App/jobs/executions/read'
          'Microsoft.App/jobs/execution/read'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
  }
}

resource appJobStarter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(trainingJob.id, appIdentity.id, jobStarterRole.id)
  scope: trainingJob
  properties: {
    roleDefinitionId: jobStarterRole.id
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The job reads the release, writes bundles and run records (and the run lock's lease); nothing else in the account.
resource trainingDataReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataContainer.id, trainingIdentity.id, roles.storageBlobDataReader)
  scope: dataContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: trainingIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource trainingModelsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(modelsContainer.id, trainingIdentity.id, roles.storageBlobDataContributor)
  scope: modelsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: trainingIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource trainingRunsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runsContainer.id, trainingIdentity.id, roles.storageBlobDataContributor)
  scope: runsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: trainingIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The retrain only reads the user events (it merges them into the release); it never writes or erases them.
resource trainingTableReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, trainingIdentity.id, roles.storageTableDataReader)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
    principalId: trainingIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The deployer uploads MovieLens releases (shared keys are off, so `az storage` uses --auth-mode login) and reads
// run records and bundles.
resource deployerDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(dataContainer.id, deployerPrincipalId, roles.storageBlobDataContributor)
  scope: dataContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: deployerPrincipalId
    principalType: 'User'
  }
}

resource deployerRunsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(runsContainer.id, deployerPrincipalId, roles.storageBlobDataReader)
  scope: runsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: deployerPrincipalId
    principalType: 'User'
  }
}

resource deployerModelsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(modelsContainer.id, deployerPrincipalId, roles.storageBlobDataReader)
  scope: modelsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: deployerPrincipalId
    principalType: 'User'
  }
}

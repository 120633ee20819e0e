using Recommender.LocalHost;

// A development and load-test host for the Function App's classes on 127.0.0.1; production runs on the Functions host.
LocalHostOptions options;
try
{
    options = LocalHostOptions.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(LocalHostOptions.Usage);
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(LocalHostOptions.Usage);
    return 0;
}
try
{
    await using var host = await LocalFunctionHost.StartAsync(options);
    Console.WriteLine($"Serving on {host.BaseAddress} (function key: {host.FunctionKey}). Press Ctrl+C to stop.");
    foreach (var line in host.Describe())
    {
        Console.WriteLine(line);
    }
    await host.WaitForShutdownAsync();
    return 0;
}
catch (LocalHostConfigurationException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

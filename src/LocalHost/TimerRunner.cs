using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Recommender.LocalHost;

/// <summary>Runs the timer functions on their schedules (UTC), one invocation of a function at a time, and optionally once at start.</summary>
internal sealed class TimerRunner(
    IReadOnlyList<(Recommender.Functions.TimerFunction Function, TimerSchedule Schedule, FunctionInvoker Invoker)> timers,
    bool runAllAtStart,
    bool schedule) : BackgroundService
{
    private readonly TaskCompletionSource _startupRuns = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IServiceProvider? _services;

    public Task StartupRuns => _startupRuns.Task;

    public void Attach(IServiceProvider services) => _services = services;

    public IEnumerable<string> Describe() =>
        timers.Select(timer =>
            $"TIMER  {timer.Function.Name}: '{timer.Schedule.Expression}'" +
            (schedule ? $", next {timer.Schedule.NextAfter(DateTime.UtcNow):u}" : ", not scheduled (--no-timers)") +
            (runAllAtStart || timer.Function.RunOnStartup ? ", runs at start" : ""));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var services = _services ?? throw new InvalidOperationException("TimerRunner was not attached to the host's services.");
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<TimerRunner>();
        var atStart = timers.Where(timer => runAllAtStart || (schedule && timer.Function.RunOnStartup)).ToList();
        var startup = Task.WhenAll(atStart.Select(timer => RunAsync(timer.Function.Name, timer.Invoker, null, services, logger, stoppingToken)));
        _ = startup.ContinueWith(_ => _startupRuns.TrySetResult(), TaskScheduler.Default);
        if (!schedule)
        {
            await startup.ConfigureAwait(false);
            return;
        }
        await Task.WhenAll(timers.Select(timer => LoopAsync(timer.Function.Name, timer.Schedule, timer.Invoker, startup, services, logger, stoppingToken)).Append(startup)).ConfigureAwait(false);
    }

    private static async Task LoopAsync(string name, TimerSchedule timerSchedule, FunctionInvoker invoker, Task startup, IServiceProvider services, ILogger logger, CancellationToken stoppingToken)
    {
        DateTime? last = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var next = timerSchedule.NextAfter(DateTime.UtcNow);
                var wait = next - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
                }
                // A scheduled run never overlaps the run at start.
                await startup.ConfigureAwait(false);
                var info = new TimerInfo
                {
                    IsPastDue = DateTime.UtcNow - next > TimeSpan.FromSeconds(1),
                    ScheduleStatus = new ScheduleStatus { Last = last ?? DateTime.MinValue, Next = timerSchedule.NextAfter(next), LastUpdated = DateTime.UtcNow },
                };
                await RunAsync(name, invoker, info, services, logger, stoppingToken).ConfigureAwait(false);
                last = next;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static async Task RunAsync(string name, FunctionInvoker invoker, TimerInfo? info, IServiceProvider services, ILogger logger, CancellationToken stoppingToken)
    {
        info ??= new TimerInfo { ScheduleStatus = new ScheduleStatus { LastUpdated = DateTime.UtcNow } };
        var stopwatch = Stopwatch.StartNew();
        logger.LogInformation("Timer function {Function} starting.", name);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var context = new LocalFunctionContext(name, scope.ServiceProvider, stoppingToken);
            await invoker.InvokeAsync(scope.ServiceProvider, new InvocationArguments(null, info, context, stoppingToken)).ConfigureAwait(false);
            logger.LogInformation("Timer function {Function} finished in {Seconds:F1} s.", name, stopwatch.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            logger.LogError(error, "Timer function {Function} failed after {Seconds:F1} s.", name, stopwatch.Elapsed.TotalSeconds);
        }
    }
}

using Spectre.Console;

namespace Recommender.Training.Cli;

/// <summary>
/// Dispatches <c>&lt;command&gt; [--options]</c> to the registered commands and handles help:
/// <c>--help</c>, <c>help [command]</c> and <c>&lt;command&gt; --help</c>. Usage errors exit with 2,
/// command failures with 1.
/// </summary>
internal sealed class CommandRegistry
{
    private static readonly string[] HelpSwitches = ["--help", "-h"];

    private readonly string _programName;
    private readonly List<ICommand> _commands = [];

    public CommandRegistry(string programName, IEnumerable<ICommand> commands)
    {
        _programName = programName;
        foreach (var command in commands)
        {
            Add(command);
        }
    }

    public IReadOnlyList<ICommand> Commands => _commands;

    public void Add(ICommand command)
    {
        if (Find(command.Name) is not null)
        {
            throw new ArgumentException($"A command named '{command.Name}' is already registered.", nameof(command));
        }
        _commands.Add(command);
    }

    public int Run(IReadOnlyList<string> args, CommandContext context)
    {
        if (args.Count == 0)
        {
            WriteOverallHelp(context.Error);
            return ExitCodes.Usage;
        }
        if (IsHelpSwitch(args[0]))
        {
            WriteOverallHelp(context.Output);
            return ExitCodes.Success;
        }
        if (args[0] == "help")
        {
            return RunHelp(args.Skip(1).ToList(), context);
        }

        var command = Find(args[0]);
        if (command is null)
        {
            return UsageError(context, UnknownCommandMessage(args[0]), helpCommand: null);
        }
        var commandArgs = args.Skip(1).ToList();
        if (commandArgs.Any(IsHelpSwitch))
        {
            WriteCommandHelp(command, context.Output);
            return ExitCodes.Success;
        }

        try
        {
            return command.Execute(CommandArguments.Parse(command, commandArgs), context);
        }
        catch (UsageException exception)
        {
            return UsageError(context, exception.Message, command);
        }
        catch (Exception exception) when (exception is CommandFailedException or IOException or UnauthorizedAccessException)
        {
            context.Error.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
            return ExitCodes.Failure;
        }
    }

    private int RunHelp(IReadOnlyList<string> names, CommandContext context)
    {
        if (names.Count == 0)
        {
            WriteOverallHelp(context.Output);
            return ExitCodes.Success;
        }
        var command = Find(names[0]);
        if (command is null)
        {
            return UsageError(context, UnknownCommandMessage(names[0]), helpCommand: null);
        }
        WriteCommandHelp(command, context.Output);
        return ExitCodes.Success;
    }

    private ICommand? Find(string name) => _commands.Find(command => command.Name == name);

    private static bool IsHelpSwitch(string arg) => HelpSwitches.Contains(arg, StringComparer.Ordinal);

    private string UnknownCommandMessage(string name)
    {
        var suggestion = Suggestions.Closest(name, _commands.Select(command => command.Name));
        return $"Unknown command '{name}'." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?") +
            $" Commands: {(_commands.Count == 0 ? "(none)" : string.Join(", ", _commands.Select(command => command.Name)))}.";
    }

    private int UsageError(CommandContext context, string message, ICommand? helpCommand)
    {
        context.Error.MarkupLineInterpolated($"[red]error:[/] {message}");
        var help = helpCommand is null ? $"{_programName} --help" : $"{_programName} {helpCommand.Name} --help";
        context.Error.WriteLine($"Run '{help}' for usage.");
        return ExitCodes.Usage;
    }

    private void WriteOverallHelp(IAnsiConsole console)
    {
        console.WriteLine($"Usage: {_programName} <command> [options]");
        console.WriteLine();
        var table = new Table().NoBorder().HideHeaders().AddColumn("command").AddColumn("summary");
        foreach (var command in _commands)
        {
            table.AddRow(new Text(command.Name), new Text(command.Summary));
        }
        console.WriteLine("Commands:");
        console.Write(table);
        console.WriteLine();
        console.WriteLine($"Run '{_programName} <command> --help' (or '{_programName} help <command>') for its options.");
    }

    private void WriteCommandHelp(ICommand command, IAnsiConsole console)
    {
        var required = string.Join(" ", command.Options.Where(option => option.Required).Select(option => option.Usage));
        console.WriteLine($"Usage: {_programName} {command.Name} {required} [options]");
        console.WriteLine();
        console.WriteLine(command.Summary);
        console.WriteLine();
        var table = new Table().NoBorder().HideHeaders().AddColumn("option").AddColumn("description");
        foreach (var option in command.Options)
        {
            var description = option.Description
                + (option.Required ? " (required)" : "")
                + (option.DefaultValue is null ? "" : $" (default: {option.DefaultValue})");
            table.AddRow(new Text(option.Usage), new Text(description));
        }
        table.AddRow(new Text("--help, -h"), new Text("Show this help."));
        console.WriteLine("Options:");
        console.Write(table);
    }
}

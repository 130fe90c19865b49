package dev.courier;

import dev.courier.cli.AuditCommand;
import dev.courier.cli.DrillCommand;
import dev.courier.cli.LoadtestCommand;
import dev.courier.cli.PostmortemCommand;
import dev.courier.cli.ServeCommand;
import io.javalin.util.JavalinBindException;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.FlywayException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: dispatches to a subcommand, nothing else. */
@Command(name = "courier",
        mixinStandardHelpOptions = true,
        versionProvider = CourierVersion.class,
        description = "Courier: a messaging service that keeps every acknowledged message.",
        subcommands = {ServeCommand.class, LoadtestCommand.class, DrillCommand.class, PostmortemCommand.class,
                AuditCommand.class,
                CommandLine.HelpCommand.class})
public final class Courier implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The help section that lists every subcommand's options, after the list of subcommands. */
    private static final String SUBCOMMAND_OPTIONS = "subcommandOptions";

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with {@code courier --help} showing each subcommand's options and defaults. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Courier()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.getHelpSectionMap().put(SUBCOMMAND_OPTIONS, Courier::subcommandOptions);
        List<String> sections = new ArrayList<>(cli.getHelpSectionKeys());
        sections.add(sections.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST) + 1,
                SUBCOMMAND_OPTIONS);
        cli.setHelpSectionKeys(sections);
        cli.setExecutionExceptionHandler(Courier::reportFailure);
        return cli;
    }

    /**
     * A server that cannot start (a bad option, a data directory in use, an unreachable database) says why in one
     * line and exits 1; a stack trace is printed only for what looks like a bug.
     */
    private static int reportFailure(Exception failure, CommandLine cli, CommandLine.ParseResult parsed) {
        StringBuilder reason = new StringBuilder("courier: ");
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && reason.indexOf(t.getMessage()) < 0) {
                reason.append(t == failure ? "" : ": ").append(t.getMessage());
            }
        }
        cli.getErr().println(reason);
        boolean expected = failure instanceof IllegalArgumentException || failure instanceof IllegalStateException
                || failure instanceof java.io.UncheckedIOException || failure instanceof FlywayException
                || failure instanceof JavalinBindException;
        if (!expected) {
            failure.printStackTrace(cli.getErr());
        }
        return 1;
    }

    private static String subcommandOptions(CommandLine.Help help) {
        StringBuilder text = new StringBuilder();
        help.subcommands().forEach((name, sub) -> {
            if (sub.commandSpec().userObject() instanceof CommandLine.HelpCommand) {
                return;
            }
            text.append(System.lineSeparator()).append(sub.synopsis(0)).append(sub.optionList());
        });
        return text.toString();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

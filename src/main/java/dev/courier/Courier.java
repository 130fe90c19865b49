package dev.courier;

import dev.courier.cli.DrillCommand;
import dev.courier.cli.LoadtestCommand;
import dev.courier.cli.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: dispatches to a subcommand, nothing else. */
@Command(name = "courier",
        mixinStandardHelpOptions = true,
        versionProvider = CourierVersion.class,
        description = "Courier: a messaging service that keeps every acknowledged message.",
        subcommands = {ServeCommand.class, LoadtestCommand.class, DrillCommand.class, CommandLine.HelpCommand.class})
public final class Courier implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Courier()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

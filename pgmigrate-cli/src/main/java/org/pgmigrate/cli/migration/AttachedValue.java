package org.pgmigrate.cli.migration;

import java.util.Map;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Takes a value given as {@code --migration-name=-x} literally, even though it starts with a hyphen, so that such a
 * name reaches the service and gets its answer about the naming rules. Without the {@code =}, {@code -x} is still
 * read as an option, as az (argparse) reads it. Stateless.
 */
final class AttachedValue implements CommandLine.IParameterPreprocessor {

    @Override
    public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
        if ("=".equals(info.get("separator")) && !args.isEmpty() && args.peek().startsWith("-")) {
            argSpec.setValue(args.pop());
            return true;
        }
        return false;
    }
}

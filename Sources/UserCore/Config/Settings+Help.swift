extension Settings {
    /// `auth-fcgi help config`: the table as aligned text for a terminal, one setting per two
    /// lines (name, default and values, then its help), so rows stay within ~120 columns.
    public static var helpText: String {
        let header = ("NAME", "DEFAULT", "VALUES")
        let nameWidth = all.map(\.name.count).max()! + 2
        let defaultWidth = all.map(\.defaultText.count).max()! + 2
        let indent = String(repeating: " ", count: nameWidth)
        var text = """
            Settings of the backend, from the environment over a .env file in the working directory
            (the environment wins). A bad value stops the start with a one-line error naming it.


            """
        text += header.0.padding(to: nameWidth) + header.1.padding(to: defaultWidth) + header.2 + "\n"
        for setting in all {
            text += setting.name.padding(to: nameWidth) + setting.defaultText.padding(to: defaultWidth)
            text += setting.valuesText + "\n"
            text += indent + setting.help + (setting.flag.map { "; \($0) overrides it" } ?? "") + "\n"
        }
        text += """

            The run command (make run, scripts/serve-local) reads its own settings for nginx and
            the backend it starts (HTTP_PORT, CORS_ORIGINS, RATE_LIMIT_LOGIN, ...): see its --help.

            """
        return text
    }
}

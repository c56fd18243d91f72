import Glibc

/// Line input from standard input, with prompts and hidden entry when it is a terminal.
enum Terminal {
    static var isInteractive: Bool { isatty(0) == 1 }

    /// One line without its line ending, or nil at the end of input.
    static func readLine() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(0, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 0x0A { break }
            bytes.append(byte)
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func prompt(_ text: String) -> String? {
        FileOutput.printOutput(text)
        return readLine()
    }

    /// Reads a line with echo off, restoring the terminal afterwards. Echo goes off before
    /// the prompt shows and without flushing, so input typed ahead is neither shown nor lost.
    static func promptHidden(_ text: String) -> String? {
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return prompt(text) }
        var hidden = saved
        hidden.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &hidden)
        defer {
            tcsetattr(0, TCSANOW, &saved)
            FileOutput.printOutput("\n")
        }
        return prompt(text)
    }
}

"""The operator's annual report, and the parties' consent to be named in its success cases."""

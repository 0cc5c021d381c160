"""What a run leaves for people to read: the suppression waterfall, the gates' Great
Expectations results, the run's record (published and blocked lists) and its HTML report under
HOME/reports/<run>/. Counts only: nothing here holds a phone number, a name or an address."""

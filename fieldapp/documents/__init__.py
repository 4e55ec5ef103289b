"""What leaves the app on paper or as a file: pathway sheets, referral slips, period reports, exports. No Qt."""

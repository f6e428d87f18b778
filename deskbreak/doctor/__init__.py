"""Checks of the installation, each with a fix a person can follow."""

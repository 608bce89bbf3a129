"""Tests of the catalog: numbers, terms, IPC, validation and the services that write patents and needs."""

"""RDF terms and files: conversion between pyoxigraph and rdflib, deterministic export, canonical Turtle (fmt)."""

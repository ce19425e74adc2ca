package org.plantclef.cli;

public class PlantClef {
    public static void main(String[] args) {}
}

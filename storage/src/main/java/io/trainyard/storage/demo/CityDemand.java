package io.trainyard.storage.demo;

import io.trainyard.storage.DatasetMeta;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A deterministic, realistic city-demand data set: daily demand of N cities with a trend, weekly and yearly
 * seasonality (shifted by half a year south of the equator), public holidays with the day-before rush, and noise;
 * each city has its own level, growth, weekly profile and noise. Columns {@code date,city,demand}.
 */
public final class CityDemand {

    /** City, latitude sign and national day: enough variety for 40 distinct series. */
    private record City(String name, boolean south, MonthDay nationalDay) {
    }

    private static final List<City> CITIES = List.of(
            new City("Amsterdam", false, MonthDay.of(4, 27)), new City("Athens", false, MonthDay.of(3, 25)),
            new City("Auckland", true, MonthDay.of(2, 6)), new City("Barcelona", false, MonthDay.of(9, 11)),
            new City("Berlin", false, MonthDay.of(10, 3)), new City("Bogota", false, MonthDay.of(7, 20)),
            new City("Buenos Aires", true, MonthDay.of(5, 25)), new City("Cairo", false, MonthDay.of(7, 23)),
            new City("Cape Town", true, MonthDay.of(4, 27)), new City("Chicago", false, MonthDay.of(7, 4)),
            new City("Copenhagen", false, MonthDay.of(6, 5)), new City("Dublin", false, MonthDay.of(3, 17)),
            new City("Helsinki", false, MonthDay.of(12, 6)), new City("Istanbul", false, MonthDay.of(10, 29)),
            new City("Jakarta", true, MonthDay.of(8, 17)), new City("Lima", true, MonthDay.of(7, 28)),
            new City("Lisbon", false, MonthDay.of(6, 10)), new City("London", false, MonthDay.of(8, 26)),
            new City("Lyon", false, MonthDay.of(7, 14)), new City("Madrid", false, MonthDay.of(10, 12)),
            new City("Melbourne", true, MonthDay.of(1, 26)), new City("Mexico City", false, MonthDay.of(9, 16)),
            new City("Montreal", false, MonthDay.of(7, 1)), new City("Mumbai", false, MonthDay.of(8, 15)),
            new City("Nairobi", true, MonthDay.of(12, 12)), new City("Osaka", false, MonthDay.of(2, 11)),
            new City("Oslo", false, MonthDay.of(5, 17)), new City("Paris", false, MonthDay.of(7, 14)),
            new City("Prague", false, MonthDay.of(10, 28)), new City("Rome", false, MonthDay.of(6, 2)),
            new City("Santiago", true, MonthDay.of(9, 18)), new City("Sao Paulo", true, MonthDay.of(9, 7)),
            new City("Seoul", false, MonthDay.of(10, 3)), new City("Singapore", false, MonthDay.of(8, 9)),
            new City("Stockholm", false, MonthDay.of(6, 6)), new City("Sydney", true, MonthDay.of(1, 26)),
            new City("Tokyo", false, MonthDay.of(2, 11)), new City("Toronto", false, MonthDay.of(7, 1)),
            new City("Vienna", false, MonthDay.of(10, 26)), new City("Warsaw", false, MonthDay.of(11, 11)));

    private static final List<MonthDay> SHARED_HOLIDAYS = List.of(
            MonthDay.of(1, 1), MonthDay.of(5, 1), MonthDay.of(12, 25), MonthDay.of(12, 26));

    /** The largest number of cities this generator knows. */
    public static final int MAX_CITIES = CITIES.size();

    private CityDemand() {
    }

    /** A generated data set: the CSV text and its metadata. */
    public record Generated(String csv, DatasetMeta meta) {
    }

    /**
     * Generates {@code cities} cities over {@code days} days from 2023-01-01.
     *
     * @param id   dataset id to put in the metadata
     * @param seed same seed, same bytes
     */
    public static Generated generate(String id, int cities, int days, long seed) {
        if (cities < 1 || cities > MAX_CITIES) {
            throw new IllegalArgumentException("cities must be 1 to " + MAX_CITIES + ", was " + cities);
        }
        if (days < 60 || days > 20 * 366) {
            throw new IllegalArgumentException("days must be 60 to " + 20 * 366 + ", was " + days);
        }
        LocalDate start = LocalDate.of(2023, 1, 1);
        StringBuilder csv = new StringBuilder(cities * days * 28).append("date,city,demand\n");
        List<String> names = new ArrayList<>();
        for (int c = 0; c < cities; c++) {
            City city = CITIES.get(c);
            names.add(city.name());
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + c);
            double level = 200 + random.nextDouble() * 1800;
            double growthPerYear = -0.03 + random.nextDouble() * 0.15;
            double yearlyAmplitude = 0.05 + random.nextDouble() * 0.25;
            double yearlyPhase = (city.south() ? Math.PI : 0) + (random.nextDouble() - 0.5) * 0.6;
            double[] weekly = new double[7];
            double weekendDip = 0.05 + random.nextDouble() * 0.35;
            for (int d = 0; d < 7; d++) {
                weekly[d] = 1 + (random.nextDouble() - 0.5) * 0.08 - (d >= 5 ? weekendDip : 0);
            }
            double noise = 0.02 + random.nextDouble() * 0.06;
            double holidayDip = 0.3 + random.nextDouble() * 0.4;
            for (int day = 0; day < days; day++) {
                LocalDate date = start.plusDays(day);
                double years = day / 365.25;
                double trend = level * (1 + growthPerYear * years);
                double season = 1 + yearlyAmplitude * Math.cos(2 * Math.PI * date.getDayOfYear() / 365.25
                        + yearlyPhase);
                double value = trend * season * weekly[date.getDayOfWeek().getValue() - 1];
                if (isHoliday(city, date)) {
                    value *= 1 - holidayDip;
                } else if (isHoliday(city, date.plusDays(1))) {
                    value *= 1 + holidayDip / 3;
                }
                value *= 1 + noise * gaussian(random);
                csv.append(date).append(',').append(city.name()).append(',')
                        .append(String.format(Locale.ROOT, "%.1f", Math.max(0, value))).append('\n');
            }
        }
        names.sort(String::compareTo);
        DatasetMeta meta = new DatasetMeta(id, (long) cities * days,
                List.of(new DatasetMeta.Column("date", "date"), new DatasetMeta.Column("city", "string"),
                        new DatasetMeta.Column("demand", "number")),
                "city", names, csv.toString().getBytes(StandardCharsets.UTF_8).length, Instant.now());
        return new Generated(csv.toString(), meta);
    }

    private static boolean isHoliday(City city, LocalDate date) {
        MonthDay day = MonthDay.from(date);
        return day.equals(city.nationalDay()) || SHARED_HOLIDAYS.contains(day);
    }

    /** Box–Muller on the city's own generator, so the sequence depends on the seed alone. */
    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}

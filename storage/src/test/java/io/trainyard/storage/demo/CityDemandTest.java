package io.trainyard.storage.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CityDemandTest {

    @Test
    void sameSeedSameBytesOtherSeedOtherData() {
        assertThat(CityDemand.generate("d", 4, 365, 7).csv()).isEqualTo(CityDemand.generate("d", 4, 365, 7).csv());
        assertThat(CityDemand.generate("d", 4, 365, 8).csv()).isNotEqualTo(CityDemand.generate("d", 4, 365, 7).csv());
    }

    @Test
    void citiesDifferAndWeekendsShowInEveryCity() {
        String csv = CityDemand.generate("d", 5, 3 * 365, 7).csv();
        List<String[]> rows = Arrays.stream(csv.split("\n")).skip(1).map(l -> l.split(",")).toList();
        assertThat(rows).hasSize(5 * 3 * 365);
        double[] means = new double[5];
        for (int c = 0; c < 5; c++) {
            String city = rows.get(c * 3 * 365)[1];
            double weekday = 0;
            double weekend = 0;
            int nWeekday = 0;
            int nWeekend = 0;
            for (String[] row : rows) {
                if (!row[1].equals(city)) {
                    continue;
                }
                int dow = java.time.LocalDate.parse(row[0]).getDayOfWeek().getValue();
                double value = Double.parseDouble(row[2]);
                if (dow >= 6) {
                    weekend += value;
                    nWeekend++;
                } else {
                    weekday += value;
                    nWeekday++;
                }
            }
            means[c] = (weekday + weekend) / (nWeekday + nWeekend);
            assertThat(weekend / nWeekend).as(city).isLessThan(weekday / nWeekday);
        }
        assertThat(Arrays.stream(means).distinct().count()).isEqualTo(5);
    }
}
